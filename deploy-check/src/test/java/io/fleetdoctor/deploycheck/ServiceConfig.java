package io.fleetdoctor.deploycheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service reads, from its own sources: the environment variables its configuration can see, the ones it
 * needs (no default in production), and the Kafka topics and groups its channels use. Only the default and {@code prod}
 * profiles count (what a deployment runs); {@code %test}, {@code %dev} and {@code %local} lines are ignored.
 */
final class ServiceConfig {

    static final List<String> MODULES = List.of("collector-service", "analyzer-service", "remediator-service");

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?}");
    private static final Pattern PREFIX = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern METHOD = Pattern.compile("^( +)(?:@\\S+\\s+)*([\\w.<>, ?]+?)\\s+(\\w+)\\(\\);", Pattern.MULTILINE);
    private static final Pattern NESTED = Pattern.compile("^ {4}interface (\\w+)", Pattern.MULTILINE);
    /** The lean node agent's reads of its environment (collector-service's NodeAgentEnv): a call with the name literal. */
    private static final Pattern ENV_READ = Pattern.compile("\\b(?:get|duration|integer)\\(env,\\s*\"([A-Z][A-Z0-9_]*)\"");

    final String module;
    /** key -> value of the lines that apply in production (prod overrides default). */
    final Map<String, String> properties = new LinkedHashMap<>();
    private final Set<String> readable = new TreeSet<>();
    /** Environment names of map-typed {@code @ConfigMapping} members: any key, then one of the entry's members. */
    private final List<Pattern> readablePatterns = new ArrayList<>();
    private final Set<String> required = new TreeSet<>();
    private final boolean kafka;
    private final boolean kubernetesClient;

    private ServiceConfig(String module, String applicationProperties, List<String> javaSources, String pom,
            String dockerfile) {
        this.module = module;
        Map<String, String> defaults = new LinkedHashMap<>();
        Map<String, String> prod = new LinkedHashMap<>();
        for (String raw : applicationProperties.split("\n")) {
            String line = raw.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Matcher refs = EXPRESSION.matcher(value);
            while (refs.find()) {
                readable.add(refs.group(1));
            }
            if (key.startsWith("%")) {
                int dot = key.indexOf('.');
                Set<String> profiles = Set.of(key.substring(1, dot).split(","));
                key = key.substring(dot + 1);
                readable.add(env(key));
                if (profiles.contains("prod")) {
                    prod.put(key, value);
                }
            } else {
                readable.add(env(key));
                defaults.put(key, value);
            }
        }
        properties.putAll(defaults);
        properties.putAll(prod);
        for (String value : properties.values()) {
            Matcher refs = EXPRESSION.matcher(value);
            while (refs.find()) {
                if (refs.group(2) == null) {
                    required.add(refs.group(1));
                }
            }
        }
        for (String source : javaSources) {
            Matcher read = ENV_READ.matcher(source);
            while (read.find()) {
                readable.add(read.group(1));
            }
            Matcher prefix = PREFIX.matcher(source);
            if (prefix.find()) {
                readable.addAll(mappingEnv(prefix.group(1), source));
                readablePatterns.addAll(mapEnv(prefix.group(1), source));
            }
        }
        kafka = properties.values().stream().anyMatch("smallrye-kafka"::equals);
        // the image's entrypoint: exec java $JAVA_OPTS ...
        Matcher shell = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)").matcher(dockerfile);
        while (shell.find()) {
            readable.add(shell.group(1));
        }
        kubernetesClient = pom.contains("<artifactId>quarkus-kubernetes-client</artifactId>");
    }

    static ServiceConfig of(Path root, String module) {
        Path dir = root.resolve(module);
        return of(module, Yamls.read(dir.resolve("src/main/resources/application.properties")), dir);
    }

    /** The module's sources with another application.properties (the tests break a copy). */
    static ServiceConfig of(String module, String applicationProperties, Path dir) {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir.resolve("src/main/java"))) {
            walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> sources.add(Yamls.read(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServiceConfig(module, applicationProperties, sources, Yamls.read(dir.resolve("pom.xml")),
                Yamls.read(dir.resolve("src/main/docker/Dockerfile.jvm")));
    }

    /**
     * Does the service see this environment variable? Yes when its configuration refers to it ({@code ${NAME}}),
     * when it is the environment form of a property it sets or of a {@code @ConfigMapping} member (Quarkus maps
     * QUARKUS_DATASOURCE_USERNAME onto quarkus.datasource.username), when a plain-Java entry point reads it by name
     * ({@code get(env, "NODE_NAME", ...)} in collector-service's NodeAgentEnv), when it starts with KAFKA_ in a service
     * with Kafka channels (Quarkus hands every kafka* setting, environment included, to the Kafka clients:
     * KAFKA_SASL_JAAS_CONFIG becomes sasl.jaas.config), KUBECONFIG for the Kubernetes client, and what the
     * image's Dockerfile uses (JAVA_OPTS in its entrypoint).
     */
    boolean reads(String name) {
        return readable.contains(name) || readablePatterns.stream().anyMatch(p -> p.matcher(name).matches())
                || (kafka && name.startsWith("KAFKA_"))
                || (kubernetesClient && name.equals("KUBECONFIG"));
    }

    /** Variables referred to without a default in production: the service cannot work without them. */
    Set<String> required() {
        return required;
    }

    /** A Kafka permission: READ or WRITE on a topic, READ on a group. */
    record Access(String resource, String name, String operation) implements Comparable<Access> {
        @Override
        public int compareTo(Access o) {
            return toString().compareTo(o.toString());
        }
    }

    /** What the channels need: read their topics and groups (incoming), write their topics (outgoing). */
    Set<Access> kafkaAccess() {
        Set<Access> access = new TreeSet<>();
        Pattern channel = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.connector");
        for (Map.Entry<String, String> e : properties.entrySet()) {
            Matcher m = channel.matcher(e.getKey());
            if (!m.matches() || !e.getValue().equals("smallrye-kafka")) {
                continue;
            }
            String base = "mp.messaging." + m.group(1) + "." + m.group(2) + ".";
            String topic = properties.getOrDefault(base + "topic", m.group(2));
            if (m.group(1).equals("incoming")) {
                access.add(new Access("topic", topic, "Read"));
                access.add(new Access("group", properties.getOrDefault(base + "group.id",
                        properties.get("quarkus.application.name")), "Read"));
            } else {
                access.add(new Access("topic", topic, "Write"));
            }
        }
        return access;
    }

    /** The environment form of a property name, as SmallRye Config matches it. */
    static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    private static Set<String> mappingEnv(String prefix, String source) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> nested = new LinkedHashSet<>();
        Matcher n = NESTED.matcher(source);
        while (n.find()) {
            nested.add(n.group(1));
        }
        Map<String, String> groups = new LinkedHashMap<>();
        List<String[]> inner = new ArrayList<>();
        Matcher m = METHOD.matcher(source);
        while (m.find()) {
            String type = m.group(2).replaceAll("<.*", "").strip();
            if (m.group(1).length() == 4) {
                if (nested.contains(type)) {
                    groups.put(type, kebab(m.group(3)));
                } else {
                    names.add(env(prefix + "." + kebab(m.group(3))));
                }
            } else {
                inner.add(new String[] {m.group(3)});
            }
        }
        // members of nested groups: under each group method (which group is not tracked: a superset is fine)
        for (String group : groups.values()) {
            for (String[] i : inner) {
                names.add(env(prefix + "." + group + "." + kebab(i[0])));
            }
        }
        return names;
    }

    private static final Pattern MAP_MEMBER = Pattern.compile(
            "^ {4}((?:@\\S+\\s+)*)Map<String,\\s*(\\w+)>\\s+(\\w+)\\(\\);", Pattern.MULTILINE);
    private static final Pattern INNER_MEMBER = Pattern.compile(
            "^ {8}((?:@\\S+\\s+)*)[\\w.<>, ?]+?\\s+(\\w+)\\(\\);", Pattern.MULTILINE);
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\"([^\"]+)\"\\)");

    /**
     * A {@code Map<String, Entry>} member is read as {@code PREFIX[_MEMBER]__<KEY>__<ENTRY_MEMBER>} (Quarkus's
     * environment form of a map key: {@code FLEETDOCTOR_CLUSTERS__SELF__ID}); {@code @WithParentName} drops the
     * member's own name, {@code @WithName} renames an entry member.
     */
    private static List<Pattern> mapEnv(String prefix, String source) {
        List<Pattern> out = new ArrayList<>();
        Matcher m = MAP_MEMBER.matcher(source);
        while (m.find()) {
            String base = m.group(1).contains("@WithParentName") ? prefix : prefix + "." + kebab(m.group(3));
            List<String> fields = new ArrayList<>();
            Matcher i = INNER_MEMBER.matcher(source);
            while (i.find()) {
                Matcher renamed = WITH_NAME.matcher(i.group(1));
                fields.add(Pattern.quote(env(renamed.find() ? renamed.group(1) : kebab(i.group(2)))));
            }
            if (!fields.isEmpty()) {
                out.add(Pattern.compile(Pattern.quote(env(base)) + "__[A-Z0-9_]+__(" + String.join("|", fields) + ")"));
            }
        }
        return out;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
