package io.fleetdoctor.remediator.plan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/** One state change of a plan. */
@Entity
@Table(name = "plan_history")
public class PlanHistoryEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "plan_id")
    public String planId;
    @Enumerated(EnumType.STRING)
    @Column(name = "from_state")
    public PlanState fromState;
    @Enumerated(EnumType.STRING)
    @Column(name = "to_state")
    public PlanState toState;
    public String actor;
    public String channel;
    public String reason;
    public Instant at;

    public static List<PlanHistoryEntity> ofPlan(String planId) {
        return list("planId = ?1 order by id", planId);
    }
}
