package io.fleetdoctor.analyzer.incident;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/** A row of {@code analyzer.incident}; never returned from REST as is (see IncidentView). */
@Entity
@Table(name = "incident")
public class IncidentEntity extends PanacheEntityBase {
    @Id
    @Column(name = "incident_id")
    public String incidentId;
    public String cluster;
    public String rule;
    public String status;
    public String severity;
    public double confidence;
    public String summary;
    public String evidence;
    public String recommendation;
    @Column(name = "opened_at")
    public Instant openedAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "resolved_at")
    public Instant resolvedAt;
    @Version
    public long version;
}
