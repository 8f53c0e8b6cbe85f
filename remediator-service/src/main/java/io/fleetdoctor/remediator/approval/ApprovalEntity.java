package io.fleetdoctor.remediator.approval;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/** One person's approval of one version (plan hash) of a plan. */
@Entity
@Table(name = "plan_approval")
public class ApprovalEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "plan_id")
    public String planId;
    public String approver;
    public String comment;
    public String channel;
    @Column(name = "diff_hash")
    public String diffHash;
    /** The plan hash the approver saw; only approvals of the plan's current hash count. */
    @Column(name = "plan_hash")
    public String planHash;
    public Instant at;

    public static List<ApprovalEntity> ofPlan(String planId) {
        return list("planId = ?1 order by id", planId);
    }

    /** Distinct people who approved exactly this plan hash. */
    public static long distinctApprovers(String planId, String planHash) {
        return find("select count(distinct a.approver) from ApprovalEntity a where a.planId = ?1 and a.planHash = ?2",
                planId, planHash).project(Long.class).firstResult();
    }
}
