-- Every change to an account row is announced on a channel every API process listens to
-- (db/presence.ts): each process keeps recent account rows in memory (tiktok/accounts.repository.ts)
-- and drops a row as soon as it changes, whichever process or person changed it.
CREATE OR REPLACE FUNCTION cliprelay_notify_social_account() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('cliprelay_social_accounts', COALESCE(NEW.id, OLD.id)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER social_accounts_notify
  AFTER UPDATE OR DELETE ON social_accounts
  FOR EACH ROW EXECUTE FUNCTION cliprelay_notify_social_account();
