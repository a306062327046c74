//! Prints the API's OpenAPI document (what `/api/v1/openapi.json` serves), for
//! `scripts/check_openapi.sh` and anyone generating a client.

fn main() {
    println!("{}", insights_hub::web::api::openapi_document());
}
