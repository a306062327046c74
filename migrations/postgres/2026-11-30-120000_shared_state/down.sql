DROP TABLE server_settings;
DROP TABLE throttle_attempts;
