package io.fleetdoctor.remediator.policy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/** The single fleet-wide control row: the pause switch, and the lock that serialises plan starts. */
@Entity
@Table(name = "fleet_control")
public class FleetControl extends PanacheEntityBase {
    @Id
    public Integer id;
    public boolean paused;
    @Column(name = "paused_by")
    public String pausedBy;
    @Column(name = "paused_at")
    public Instant pausedAt;
    @Version
    public long version;

    public static FleetControl get() {
        return findById(1);
    }

    /** SELECT ... FOR UPDATE on the row: held until the transaction ends. */
    public static FleetControl lock() {
        return findById(1, LockModeType.PESSIMISTIC_WRITE);
    }
}
