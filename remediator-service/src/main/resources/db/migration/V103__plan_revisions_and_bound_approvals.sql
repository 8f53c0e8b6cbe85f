-- A plan per incident revision, approvals bound to the plan hash, managed DaemonSets, Slack replay guard.

-- Many plans per incident (revision 1, 2, ...), at most one live: finished_at is set exactly when a
-- plan reaches a terminal state (PlanStateMachine.TERMINAL).
ALTER TABLE plan DROP CONSTRAINT plan_incident_unique;
ALTER TABLE plan ADD COLUMN revision INT NOT NULL DEFAULT 1;
-- the plan this one replaced (same incident), or NULL for the first
ALTER TABLE plan ADD COLUMN supersedes VARCHAR(36) REFERENCES plan (id);
CREATE UNIQUE INDEX plan_incident_live ON plan (incident_id) WHERE finished_at IS NULL;
CREATE UNIQUE INDEX plan_incident_revision ON plan (incident_id, revision);

-- The hash an approval must carry (PlanHash: the changes, the override and the proposed source change).
-- Plans made before this version keep their diff hash as plan hash, so their approvals still count.
ALTER TABLE plan ADD COLUMN plan_hash VARCHAR(64);
UPDATE plan SET plan_hash = diff_hash;
ALTER TABLE plan ALTER COLUMN plan_hash SET NOT NULL;

-- Who manages the DaemonSets (Helm, Argo CD, Flux, RKE2, addon-manager, k3s); NULL = nobody detected.
ALTER TABLE plan ADD COLUMN owner_manager VARCHAR(63);
ALTER TABLE plan ADD COLUMN owner_evidence TEXT;
ALTER TABLE plan ADD COLUMN owner_source_change TEXT;
-- An admin's decision to patch a managed DaemonSet live anyway.
ALTER TABLE plan ADD COLUMN live_override_by VARCHAR(200);
ALTER TABLE plan ADD COLUMN live_override_reason TEXT;
ALTER TABLE plan ADD COLUMN live_override_at TIMESTAMPTZ;

-- Approvals count per plan hash; the same person approving the same hash twice counts once.
ALTER TABLE plan_approval ADD COLUMN plan_hash VARCHAR(64);
UPDATE plan_approval SET plan_hash = diff_hash;
ALTER TABLE plan_approval ALTER COLUMN plan_hash SET NOT NULL;
ALTER TABLE plan_approval DROP CONSTRAINT plan_approval_distinct;
ALTER TABLE plan_approval ADD CONSTRAINT plan_approval_distinct UNIQUE (plan_id, approver, plan_hash);

-- Signed Slack requests already handled: the same signature again is a replay and is refused.
CREATE TABLE slack_request_seen (
    signature  VARCHAR(100) PRIMARY KEY,
    seen_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX slack_request_seen_at ON slack_request_seen (seen_at);
