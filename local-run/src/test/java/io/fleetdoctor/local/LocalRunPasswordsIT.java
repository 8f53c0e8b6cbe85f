package io.fleetdoctor.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Demo passwords for the simulated cluster, one-time ones for a real cluster, as digests the services accept.
 * (Fast; named IT because this module runs its tests with failsafe only.)
 */
class LocalRunPasswordsIT {

    /** The digests the services' local profile ships, read from their application.properties. */
    private static String shipped(String module, String user) throws Exception {
        Path file = Path.of(System.getProperty("fleetdoctor.root", "..")).resolve(module)
                .resolve("src/main/resources/application.properties");
        String key = "%dev,test,local.quarkus.security.users.embedded.users." + user + "=";
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(key)).map(l -> l.substring(key.length()))
                .findFirst().orElseThrow(() -> new AssertionError(key + " not in " + file));
    }

    @Test
    void theDemoPasswordsAreTheOnesTheLocalProfileShips() throws Exception {
        Map<String, String> demo = LocalRun.passwords(false, new SecureRandom());
        assertEquals(LocalRun.USERS, java.util.List.copyOf(demo.keySet()));
        for (String user : LocalRun.USERS) {
            assertEquals(user + "-demo", demo.get(user));
            assertEquals(shipped("remediator-service", user), LocalRun.digest(user, demo.get(user)));
            assertEquals(shipped("analyzer-service", user), LocalRun.digest(user, demo.get(user)));
        }
    }

    @Test
    void withARealClusterEveryUserGetsARandomOneTimePassword() throws Exception {
        Map<String, String> first = LocalRun.passwords(true, new SecureRandom());
        Map<String, String> second = LocalRun.passwords(true, new SecureRandom());
        Set<String> seen = new HashSet<>();
        for (String user : LocalRun.USERS) {
            String p = first.get(user);
            assertTrue(p.length() >= 22, p);
            assertNotEquals(user + "-demo", p);
            assertNotEquals(p, second.get(user));
            assertTrue(seen.add(p), "passwords repeat: " + first);
        }
        Map<String, String> env = LocalRun.userEnv(first);
        assertEquals(LocalRun.USERS.size(), env.size());
        for (String user : LocalRun.USERS) {
            String digest = env.get("QUARKUS_SECURITY_USERS_EMBEDDED_USERS_" + user.toUpperCase());
            assertEquals(LocalRun.digest(user, first.get(user)), digest);
            assertNotEquals(shipped("remediator-service", user), digest);
            assertTrue(digest.matches("[0-9a-f]{32}"), digest);
        }
    }
}
