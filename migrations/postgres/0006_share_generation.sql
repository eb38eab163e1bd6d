-- Bumped whenever an app's share_members change, so that cached API totals and page positions
-- of that app are never reused across a change.
ALTER TABLE app_shares ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
