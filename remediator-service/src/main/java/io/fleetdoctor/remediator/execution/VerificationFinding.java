package io.fleetdoctor.remediator.execution;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A strike of the plan's playbook against its fix, seen from the start of execution. */
@Entity
@Table(name = "verification_finding")
public class VerificationFinding extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "plan_id")
    public String planId;
    /** The playbook's strike kind, e.g. {@code control-plane-restart}. */
    public String kind;
    public Instant at;
    public String fact;
}
