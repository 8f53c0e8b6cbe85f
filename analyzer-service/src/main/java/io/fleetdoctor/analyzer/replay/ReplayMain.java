package io.fleetdoctor.analyzer.replay;

import io.fleetdoctor.analyzer.config.AnalyzerConfig;
import io.fleetdoctor.analyzer.config.RuleRegistry;
import io.fleetdoctor.analyzer.engine.AnalyzerEngine;
import io.fleetdoctor.analyzer.engine.EngineOutput;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.InvalidEventException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fleetdoctor replay [--config FILE] FILE...}: runs the analyzer's engine and rule configuration
 * on CloudEvents JSONL traces, in the given order, without Kafka or a database, and prints each
 * published decision as one CloudEvents JSON line. Undecodable lines go to stderr with their line
 * number and are skipped ({@code FILE:LINE: skipped: reason}); so are events the service would
 * dead-letter for a time too far ahead ({@code FILE:LINE: dropped: reason}). Replay has no wall clock:
 * the {@code max-future} bound is measured against the trace's own cluster clock only, which the
 * service applies too (besides its wall clock), so both give the same decisions for a trace whose
 * clusters' clocks are not ahead of the service's. Exit code 0, or 2 when a file cannot be read or
 * the arguments are wrong.
 */
public final class ReplayMain {
    private ReplayMain() {
    }

    public static void main(String[] args) throws IOException {
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        int rc = run(args, out, System.err);
        out.flush();
        System.exit(rc);
    }

    public static int run(String[] args, Writer out, PrintStream err) throws IOException {
        List<Path> files = new ArrayList<>();
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i]) && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].startsWith("-")) {
                err.println("usage: fleetdoctor replay [--config application.properties] FILE...");
                return 2;
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            err.println("usage: fleetdoctor replay [--config application.properties] FILE...");
            return 2;
        }
        AnalyzerEngine engine;
        try {
            engine = registry(configFile, java.util.Map.of()).engine();
        } catch (RuntimeException e) {
            err.println("replay: bad configuration: " + e.getMessage());
            return 2;
        }
        int rc = 0;
        for (Path file : files) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    if (line.isBlank()) {
                        continue;
                    }
                    CloudEvent<?> e;
                    try {
                        e = EventCodec.decode(line);
                    } catch (InvalidEventException ex) {
                        err.println(file + ":" + n + ": skipped: " + ex.getMessage());
                        continue;
                    }
                    AnalyzerEngine.Intake intake = engine.offer(e, null);
                    if (intake.outcome() == AnalyzerEngine.Outcome.AHEAD) {
                        err.println(file + ":" + n + ": dropped: " + intake.reason());
                        continue;
                    }
                    for (EngineOutput o : intake.outputs()) {
                        if (o.publish()) {
                            out.write(EventCodec.encodeToString(o.event()));
                            out.write('\n');
                        }
                    }
                }
            } catch (IOException ex) {
                err.println("replay: cannot read " + file + ": " + ex.getMessage());
                rc = 2;
            }
        }
        return rc;
    }

    /**
     * The analyzer's configuration outside Quarkus: application.properties from the class path,
     * then the file, then the given properties. Durations take Quarkus's forms ({@code 30m}, {@code 60s}).
     */
    public static RuleRegistry registry(Path overrides, java.util.Map<String, String> properties) throws IOException {
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().addDefaultSources().withMapping(AnalyzerConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new io.smallrye.config.common.MapBackedConfigSource("test", properties, 600) {
                });
        URL props = ReplayMain.class.getClassLoader().getResource("application.properties");
        if (props != null) {
            b.withSources(new PropertiesConfigSource(props, 250));
        }
        if (overrides != null) {
            b.withSources(new PropertiesConfigSource(overrides.toUri().toURL(), 500));
        }
        SmallRyeConfig c = b.build();
        return new RuleRegistry(c.getConfigMapping(AnalyzerConfig.class), c);
    }
}
