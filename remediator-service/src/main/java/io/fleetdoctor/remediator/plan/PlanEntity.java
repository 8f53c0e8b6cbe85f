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
}
