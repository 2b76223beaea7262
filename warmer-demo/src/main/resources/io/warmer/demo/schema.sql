-- The demo's tables: a user and two one-to-one side tables, as in the incident.
CREATE TABLE users (
    id         bigint PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL,
    tier       text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE user_preferences (
    user_id       bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    theme         text NOT NULL,
    language      text NOT NULL,
    notifications boolean NOT NULL
);
CREATE TABLE user_settings (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    timezone   text NOT NULL,
    newsletter boolean NOT NULL,
    two_factor boolean NOT NULL
);
