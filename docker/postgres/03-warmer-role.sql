-- The role Warmer connects as: it may log in, stream changes (REPLICATION) and read the captured
-- tables, and nothing else. Its password comes from WARMER_PG_PASSWORD in this container's
-- environment (psql's \getenv), the same variable the warmer service reads through password-env.
\getenv warmer_password WARMER_PG_PASSWORD
\if :{?warmer_password}
\else
DO $$ BEGIN
    RAISE EXCEPTION 'WARMER_PG_PASSWORD is not set in the postgres container; the warmer role needs it';
END $$;
\endif

CREATE ROLE warmer WITH LOGIN REPLICATION PASSWORD :'warmer_password';
GRANT USAGE ON SCHEMA public TO warmer;
GRANT SELECT ON users, user_preferences, user_settings TO warmer;

-- Debezium creates a missing publication itself, but only a table's owner may publish it; warmer
-- owns nothing, so the publication is made here, for exactly the tables of docker/warmer.yml's
-- families. Warmer finds it up to date and uses it as it is. Its name is source.postgres.publication.
CREATE PUBLICATION warmer FOR TABLE users, user_preferences, user_settings;
