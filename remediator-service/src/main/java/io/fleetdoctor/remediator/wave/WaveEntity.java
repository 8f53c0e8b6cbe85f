package io.fleetdoctor.remediator.wave;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/** A canary wave (V123); its members are {@link WaveMember}s. */
@Entity
@Table(name = "wave")
public class WaveEntity extends PanacheEntityBase {
    @Id
    public String id;
    public String rule;
    /** {@link FixFingerprint} of every member. */
    public String fix;
    @Column(name = "wave_size")
    public int waveSize;
    @Enumerated(EnumType.STRING)
    public WaveState state;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Column(name = "halted_reason")
    public String haltedReason;
    @Version
    public long version;
}
