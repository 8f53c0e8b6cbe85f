package io.fleetdoctor.remediator.slack;

import io.fleetdoctor.remediator.guard.SlackUserIds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;

/** {@link SlackUserIds} from {@code fleetdoctor.slack.users}. */
@ApplicationScoped
public class ConfiguredSlackUserIds implements SlackUserIds {
    @Inject
    SlackConfig slack;

    @Override
    public String of(String name) {
        return slack.users().entrySet().stream().filter(e -> e.getValue().name().equals(name)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }
}
