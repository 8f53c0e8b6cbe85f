package io.fleetdoctor.remediator.plan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/** A remediation plan. Its state changes only through {@link PlanStateMachine}. */
@Entity
@Table(name = "plan")
public class PlanEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "incident_id")
    public String incidentId;
    public String cluster;
    @Column(name = "cluster_class")
    public String clusterClass;
    public String rule;
    @Enumerated(EnumType.STRING)
    public PlanState state;
    @Version
    public long version;
    public String summary;
    public String severity;
    public Double confidence;
    @Column(name = "evidence_json")
    public String evidenceJson;
    @Column(name = "recommendation_json")
    public String recommendationJson;
    @Column(name = "changes_json")
    public String changesJson;
    @Column(name = "checks_json")
    public String checksJson;
    public String diff;
    @Column(name = "diff_hash")
    public String diffHash;
    public String iface;
    @Column(name = "iface_regex")
    public String ifaceRegex;
    @Column(name = "iface_override")
    public String ifaceOverride;
    @Column(name = "needs_override")
    public boolean needsOverride;
    @Column(name = "blocked_reason")
    public String blockedReason;
    @Column(name = "approvals_required")
    public int approvalsRequired;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "approved_at")
    public Instant approvedAt;
    @Column(name = "execution_started_at")
    public Instant executionStartedAt;
    @Column(name = "verify_started_at")
    public Instant verifyStartedAt;
    @Column(name = "verify_until")
    public Instant verifyUntil;
    @Column(name = "incident_resolved_at")
    public Instant incidentResolvedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    /** 1 for the incident's first plan, then one more per rebuild. */
    public int revision;
    /** The plan of the same incident this one replaced, or null. */
    public String supersedes;
    /** What an approval must carry ({@link PlanHash}). */
    @Column(name = "plan_hash")
    public String planHash;
    /** Who manages the DaemonSets ({@code Ownership.manager()}), null when nobody is detected. */
    @Column(name = "owner_manager")
    public String ownerManager;
    @Column(name = "owner_evidence")
    public String ownerEvidence;
    @Column(name = "owner_source_change")
    public String ownerSourceChange;
    @Column(name = "live_override_by")
    public String liveOverrideBy;
    @Column(name = "live_override_reason")
    public String liveOverrideReason;
    @Column(name = "live_override_at")
    public Instant liveOverrideAt;

    /** Managed DaemonSets: the change belongs at the owner's source. */
    public boolean managed() {
        return ownerManager != null;
    }

    /** k3s runs flannel inside the server process: there is nothing to patch, only advice. */
    public boolean adviceOnly() {
        return K3S.equals(ownerManager);
    }

    /** Whether the changes may be written to the live objects: unmanaged, or an admin's live override. */
    public boolean liveExecutable() {
        return !managed() || (!adviceOnly() && liveOverrideBy != null);
    }

    public static final String K3S = "k3s";

    /** The live (non-terminal) plan of an incident, or null. */
    public static PlanEntity liveOf(String incidentId) {
        return find("incidentId = ?1 and finishedAt is null", incidentId).firstResult();
    }

    /** The incident's newest plan, or null. */
    public static PlanEntity latestOf(String incidentId) {
        return find("incidentId = ?1 order by revision desc", incidentId).firstResult();
    }
}
