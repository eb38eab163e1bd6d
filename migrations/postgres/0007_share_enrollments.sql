-- How many enrollments the app's share gives, counted when its members are recomputed, so that
-- an impact preview does not count the current share's enrollments again (the slow half of it
-- on a large district). NULL until the share is next recomputed.
ALTER TABLE app_shares ADD COLUMN enrollments BIGINT;
