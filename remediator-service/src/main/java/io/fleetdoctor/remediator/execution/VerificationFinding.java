package io.fleetdoctor.remediator.execution;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A fact seen during a plan's verification window that fails the verification. */
@Entity
@Table(name = "verification_finding")
public class VerificationFinding extends PanacheEntityBase {
    public static final String RESTART = "control-plane-restart";
    public static final String FLANNELD_IO = "flanneld-io";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "plan_id")
    public String planId;
    /** {@link #RESTART} or {@link #FLANNELD_IO}. */
    public String kind;
    public Instant at;
    public String fact;
}
