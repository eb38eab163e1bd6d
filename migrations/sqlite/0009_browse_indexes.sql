-- The console's data browser: name prefix searches (range comparisons on lower-cased names)
-- and exact look-ups by identifier and e-mail stay index reads on a 1M-student roster.
CREATE INDEX users_family_lower ON users (lower(family_name), lower(given_name), sourced_id);
CREATE INDEX users_given_lower ON users (lower(given_name));
CREATE INDEX users_email_lower ON users (lower(email));
CREATE INDEX users_identifier ON users (identifier);
CREATE INDEX classes_title_lower ON classes (lower(title), sourced_id);
