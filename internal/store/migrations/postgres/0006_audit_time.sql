-- The dashboard counts gateway reads and refusals over a window of days:
-- seek each action's and each outcome's records by time, instead of
-- reading every record of the action ever made.
CREATE INDEX audit_records_action_at ON audit_records(action, at);
CREATE INDEX audit_records_outcome_at ON audit_records(outcome, at);
