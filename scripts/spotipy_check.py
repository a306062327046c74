"""Runs spotipy, the most used Python client of Spotify's Web API, against our /api/v1.

The point of the API is that code written for Spotify's closed /recommendations and
/audio-features runs again after changing its base URL and token. This script is such
code: spotipy as published, with only `prefix` changed. It signs up through the site's
forms, creates a token on the account page as a person would, then makes each call a
typical script makes (tracks and their albums, artists, search, audio features,
recommendations) and checks what comes back.

Usage: python spotipy_check.py http://127.0.0.1:PORT
"""

import importlib.metadata
import re
import secrets
import sys

import requests
import spotipy


def make_token(base: str) -> str:
    """A new user and an API token, through the pages (CSRF token and all)."""
    web = requests.Session()

    def csrf(html: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)

    password = "spotipy-" + secrets.token_hex(8)
    form = web.get(base + "/signup").text
    done = web.post(
        base + "/signup",
        data={
            "csrf_token": csrf(form),
            "username": "spotipy" + secrets.token_hex(3),
            "password": password,
            "password_confirmation": password,
        },
    )
    done.raise_for_status()
    page = web.get(base + "/account/api-tokens").text
    once = re.search(r'name="once" value="([^"]*)"', page).group(1)
    made = web.post(
        base + "/account/api-tokens",
        data={"csrf_token": csrf(page), "once": once, "name": "spotipy check"},
    )
    made.raise_for_status()
    return re.search(r'id="new-token">([^<]+)<', made.text).group(1)


failures = []


def check(name, condition, detail=""):
    print(("ok    " if condition else "FAIL  ") + name + (f": {detail}" if detail else ""))
    if not condition:
        failures.append(name)


def main() -> None:
    base = sys.argv[1].rstrip("/")
    sp = spotipy.Spotify(auth=make_token(base), retries=0, status_retries=0)
    sp.prefix = base + "/api/v1/"

    found = sp.search(q="a", type="track", limit=3)["tracks"]
    tracks = found["items"]
    check("search tracks", len(tracks) == 3 and found["total"] > 3, f"total {found['total']}")
    ids = [t["id"] for t in tracks]
    later = sp.next(found)
    check(
        "next page of a search",
        later is not None and later["tracks"]["offset"] == 3,
        "" if later is None else f"offset {later['tracks']['offset']}",
    )
    both = sp.search(q="a", type="artist,track", limit=2)
    check("search artists and tracks", set(both) == {"artists", "tracks"}, str(sorted(both)))

    # spotipy asks for audio-features/?ids= and tracks/?ids= (with the slash).
    features = sp.audio_features(ids)
    check(
        "audio_features for a list",
        [f and f["id"] for f in features] == ids
        and all(0 <= f["danceability"] <= 1 and f["type"] == "audio_features" for f in features),
    )
    one = sp.audio_features("spotify:track:" + ids[0])
    check("audio_features for a URI", one[0]["id"] == ids[0])
    check("track", sp.track(ids[0])["id"] == ids[0])
    check("track with a market", sp.track(ids[0], market="US")["id"] == ids[0])
    check("tracks", [t["id"] for t in sp.tracks(ids)["tracks"]] == ids)

    # A track's album, at the address the track gives (the demo's releases have ids).
    album_ids = [t["album"]["id"] for t in tracks]
    album = sp.album(album_ids[0])
    check(
        "album",
        album["id"] == album_ids[0]
        and album["name"] == tracks[0]["album"]["name"]
        and tracks[0]["album"]["href"] == album["href"]
        and ids[0] in [t["id"] for t in album["tracks"]["items"]]
        and album["total_tracks"] == album["tracks"]["total"],
        f"{album['name']}: {album['total_tracks']} tracks",
    )
    check("album for a URI", sp.album("spotify:album:" + album_ids[0])["id"] == album_ids[0])
    # spotipy asks for albums/?ids= (with the slash).
    albums = sp.albums(album_ids + ["0000000000000000000000"])["albums"]
    check(
        "albums, an unknown one null",
        [a and a["id"] for a in albums] == album_ids + [None],
    )
    longest = max(albums[:-1], key=lambda a: a["total_tracks"])
    # spotipy asks for albums/ID/tracks/ (with the slash); next follows the page's link.
    first = sp.album_tracks(longest["id"], limit=1)
    listed = [t["id"] for t in first["items"]]
    page = first
    while page["next"]:
        page = sp.next(page)
        listed += [t["id"] for t in page["items"]]
    check(
        "album_tracks, page by page",
        first["total"] == longest["total_tracks"]
        and listed == [t["id"] for t in longest["tracks"]["items"]],
        f"{first['total']} tracks",
    )
    try:
        sp.album("0000000000000000000000")
        check("an unknown album is a 404 spotipy can read", False, "no error")
    except spotipy.SpotifyException as error:
        check(
            "an unknown album is a 404 spotipy can read",
            error.http_status == 404 and "No album" in error.msg,
            f"{error.http_status} {error.msg}",
        )

    artist_id = tracks[0]["artists"][0]["id"]
    check("artist", sp.artist(artist_id)["id"] == artist_id)
    check("artists", [a["id"] for a in sp.artists([artist_id])["artists"]] == [artist_id])
    top = sp.artist_top_tracks(artist_id)["tracks"]
    check(
        "artist_top_tracks",
        top and all(artist_id in [a["id"] for a in t["artists"]] for t in top),
        f"{len(top)} tracks",
    )
    related = sp.artist_related_artists(artist_id)["artists"]
    check("artist_related_artists", related and artist_id not in [a["id"] for a in related])

    # Spotify's field filters, as spotipy's README searches: q="artist:" + name.
    name = tracks[0]["artists"][0]["name"]
    named = sp.search(q="artist:" + name, type="artist", limit=10)["artists"]["items"]
    check("search artist:NAME for artists", artist_id in [a["id"] for a in named], name)
    theirs = sp.search(q=f'artist:"{name}"', type="track", limit=50)["tracks"]
    check(
        "search artist:\"NAME\" for their tracks",
        theirs["total"] > 0
        and all(
            any(name.lower() in a["name"].lower() for a in t["artists"]) for t in theirs["items"]
        ),
        f"total {theirs['total']}",
    )
    # How scripts look a song up: its artist and title as free words, no field names.
    song = tracks[0]
    looked_up = sp.search(q=f"{name} {song['name']}", type="track", limit=50)["tracks"]
    check(
        "search \"ARTIST TITLE\" as free words finds the song",
        song["id"] in [t["id"] for t in looked_up["items"]],
        f"{name} {song['name']}: total {looked_up['total']}",
    )

    genres = sp.recommendation_genre_seeds()["genres"]
    check("recommendation_genre_seeds", len(genres) > 0, ", ".join(genres[:5]))
    recs = sp.recommendations(seed_tracks=ids[:2], limit=5)
    got = [t["id"] for t in recs["tracks"]]
    check(
        "recommendations from seed tracks",
        len(got) == 5 and not set(got) & set(ids[:2]) and len(recs["seeds"]) == 2,
    )
    tuned = sp.recommendations(
        seed_artists=[artist_id], limit=5, target_energy=0.8, min_tempo=100, max_tempo=140
    )
    tempos = [f["tempo"] for f in sp.audio_features([t["id"] for t in tuned["tracks"]])]
    check(
        "recommendations with targets and bounds",
        len(tempos) == 5 and all(100 <= t <= 140 for t in tempos),
        ", ".join(f"{t:.0f}" for t in tempos),
    )
    by_genre = sp.recommendations(seed_genres=[genres[0]], limit=3, country="US")
    check("recommendations from a genre", len(by_genre["tracks"]) == 3)

    # Our errors are Spotify's shape, so spotipy reads the status and message out of them.
    try:
        sp.track("zzzzzzzzzzzzzzzzzzzzzz")
        check("an unknown track is a 404 spotipy can read", False, "no error")
    except spotipy.SpotifyException as error:
        check(
            "an unknown track is a 404 spotipy can read",
            error.http_status == 404 and "zzzz" in error.msg,
            f"{error.http_status} {error.msg}",
        )

    print(f"spotipy {importlib.metadata.version('spotipy')}: {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    try:
        main()
    except spotipy.SpotifyException as error:
        # A call the checks did not expect to fail: name it and stop.
        sys.exit(f"FAIL  spotipy call refused: {error.http_status} {error.url}: {error.msg}")
