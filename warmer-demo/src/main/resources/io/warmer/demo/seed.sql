-- :users is replaced by the number of users to create.
INSERT INTO users (id, name, email, tier)
SELECT i, 'user ' || i, 'user' || i || '@example.com', (ARRAY['free', 'pro', 'team'])[1 + i % 3]
FROM generate_series(1, :users) AS i;
INSERT INTO user_preferences (user_id, theme, language, notifications)
SELECT i, (ARRAY['light', 'dark'])[1 + i % 2], (ARRAY['en', 'de', 'fr', 'ja'])[1 + i % 4], i % 5 <> 0
FROM generate_series(1, :users) AS i;
INSERT INTO user_settings (user_id, timezone, newsletter, two_factor)
SELECT i, (ARRAY['UTC', 'Europe/Berlin', 'Asia/Tokyo'])[1 + i % 3], i % 2 = 0, i % 7 = 0
FROM generate_series(1, :users) AS i;
