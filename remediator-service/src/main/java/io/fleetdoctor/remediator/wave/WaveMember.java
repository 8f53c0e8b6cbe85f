package io.fleetdoctor.remediator.wave;

import io.fleetdoctor.remediator.plan.PlanState;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One plan of a wave. Until {@link #releasedAt} is set the scheduler does not start the plan. */
@Entity
@Table(name = "wave_member")
public class WaveMember extends PanacheEntityBase {
    @Id
    @Column(name = "plan_id")
    public String planId;
    @Column(name = "wave_id")
    public String waveId;
    public String cluster;
    /** 0 is the canary, then the order of the request. */
    public int position;
    /** 0 is the canary's wave; member at position p ≥ 1 is in wave 1 + (p - 1) / size. */
    @Column(name = "wave_no")
    public int waveNo;
    @Column(name = "released_at")
    public Instant releasedAt;
    /** Why a member that was never released will not run (its wave halted). */
    @Column(name = "held_reason")
    public String heldReason;

    public static List<WaveMember> of(String waveId) {
        return list("waveId = ?1 order by position", waveId);
    }

    /** APPROVED plans in a wave that has not released them: PlanScheduler must not start them. */
    public static Set<String> heldPlanIds() {
        return new HashSet<>(find("select m.planId from WaveMember m where m.releasedAt is null and m.planId in"
                + " (select p.id from PlanEntity p where p.state = ?1)", PlanState.APPROVED).project(String.class).list());
    }
}
