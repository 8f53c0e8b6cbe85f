package io.fleetdoctor.analyzer.incident;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A row of {@code analyzer.incident_decision}: one step of an incident's history. */
@Entity
@Table(name = "incident_decision")
@IdClass(DecisionRecordEntity.Key.class)
public class DecisionRecordEntity extends PanacheEntityBase {
    @Id
    @Column(name = "incident_id")
    public String incidentId;
    @Id
    public int seq;
    public String status;
    public String kind;
    @Column(name = "event_time")
    public Instant eventTime;
    public String summary;
    public boolean publish;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
    /** The outbox row that publishes this decision; null when it is not published. */
    @Column(name = "outbox_id")
    public UUID outboxId;

    public static class Key implements Serializable {
        public String incidentId;
        public int seq;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.seq == seq && Objects.equals(k.incidentId, incidentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(incidentId, seq);
        }
    }
}
