package io.fleetdoctor.simulator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A simulated Kubernetes cluster reproducing docs/INCIDENT.md: fabric8's mock API server in
 * CRUD mode (plain HTTP on 127.0.0.1) seeded with nodes, control-plane static pods and the flannel
 * DaemonSet of the fixture, plus one procfs/sysfs tree per node for the collector's node agents.
 * While flannel is unbound, kube-controller-manager and kube-scheduler restart in turn and flanneld
 * reads tens of MiB/s on every node; once the DaemonSet runs v0.13.0 (not v0.13.1-rc1) with
 * {@code --iface=eth0}, the rollout completes, restarts stop and the IO drops. Plain Java, no Quarkus.
 *
 * <p>Writes {@code DIR/kubeconfig}, {@code DIR/nodes/<node>/{proc,sys}}, {@code DIR/nodes/<node>/agent.env}
 * and, once everything is up, {@code DIR/ready}.
 */
public final class SimulatedCluster implements AutoCloseable {
    public static final String TOKEN = "fleetdoctor-simulated-token";
    /** MockWebServer logs every request through JUL at INFO; held strongly so the level sticks. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private final Options options;
    private final Consumer<String> out;
    private KubernetesMockServer server;
    private KubernetesClient client;
    private ScheduledExecutorService loop;
    private Scenario scenario;
    private final List<NodeTree> trees = new ArrayList<>();
    private String url;
    private volatile boolean closed;
    private java.nio.channels.FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    public SimulatedCluster(Options options, Consumer<String> out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            PrintStream err = "help".equals(e.getMessage()) ? System.out : System.err;
            if (!"help".equals(e.getMessage())) {
                err.println("simulator: " + e.getMessage());
            }
            err.println(Options.USAGE);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
            return;
        }
        quietLogging();
        PrintStream stdout = System.out;
        SimulatedCluster sim = new SimulatedCluster(options, line -> {
            synchronized (stdout) {
                stdout.println("simulator: " + line);
                stdout.flush();
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        try {
            sim.start();
        } catch (Exception e) {
            System.err.println("simulator: cannot start: " + e);
            sim.close();
            System.exit(1);
            return;
        }
        if (options.watchStdin()) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the parent never writes; EOF means it is gone
                    }
                } catch (IOException ignored) {
                    // a broken pipe means the same
                }
                System.exit(0); // runs the shutdown hook
            }, "simulator-stdin-watch");
            watch.setDaemon(true);
            watch.start();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** fabric8 and Vert.x log through slf4j-simple: keep the terminal for the story (warnings and worse, on stderr). */
    static void quietLogging() {
        // -Dfleetdoctor.simulator.requests=true: log every API request (method, path, status) to stderr
        MOCK_SERVER_LOG.setLevel(Boolean.getBoolean("fleetdoctor.simulator.requests")
                ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }

    /** Starts everything; on failure the caller closes. */
    public synchronized void start() throws IOException {
        quietLogging();
        Path dir = options.dir();
        Files.createDirectories(dir);
        lockChannel = java.nio.channels.FileChannel.open(dir.resolve(".lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IllegalStateException("another simulator is running on " + dir);
        }
        Files.deleteIfExists(dir.resolve("ready"));

        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        LogStore logs = new LogStore();
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                new SimulatorDispatcher(responses, logs), false);
        server.init(InetAddress.getByName("127.0.0.1"), options.port());
        url = "http://127.0.0.1:" + server.getPort();
        Path kubeconfig = writeKubeconfig(dir);
        client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
        out.accept("API server " + url + " (kubeconfig " + kubeconfig + ", context " + options.cluster() + ")");

        List<String> names = options.nodeNames();
        long boot = Instant.now().minusSeconds(3 * 24 * 3600).toEpochMilli();
        for (int i = 0; i < names.size(); i++) {
            trees.add(new NodeTree(dir.resolve("nodes").resolve(names.get(i)), names.get(i), i, names.size(), boot,
                    names.get(i).equals(options.bondedNode())));
        }
        scenario = new Scenario(client, logs, options, trees, line -> {
            if (!closed) {
                out.accept(line); // a step cut short by close() is not news
            }
        });
        scenario.seed();
        for (NodeTree t : trees) {
            writeAgentEnv(t);
            String ifs = t.bonded()
                    ? "InternalIP " + t.eth0Address() + " on bond0 (802.3ad over eth0 + eth1), eth2.100 " + t.eth1Address()
                            + " (VLAN 100 over eth2, default route)"
                    : "InternalIP " + t.eth0Address() + ", eth1 " + t.eth1Address() + " (default route)";
            out.accept("node " + t.node() + ": " + ifs + ", flanneld pid " + t.flanneldPid() + ", procfs " + t.procfs()
                    + ", sysfs " + t.sysfs());
        }
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulator-loop");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleAtFixedRate(guard(scenario::tick), 1000, 1000, TimeUnit.MILLISECONDS);
        long every = options.restartEvery().toMillis();
        loop.scheduleAtFixedRate(guard(scenario::restartTick), every, every, TimeUnit.MILLISECONDS);
        writeReady(dir, kubeconfig);
        out.accept(Options.HEALTHY.equals(options.scenario()) ? "ready: healthy, nothing restarts ("
                + dir.resolve("ready") + ")" : "ready: control-plane restarts every "
                + options.restartEvery().toMillis() / 1000.0
                + " s until flannel runs v0.13.0 with --iface=eth0" + (options.bondedNode() == null ? ""
                : " (bond0 on " + options.bondedNode() + ")") + " (" + dir.resolve("ready") + ")");
    }

    private Runnable guard(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                if (!closed) {
                    out.accept("step failed: " + e);
                }
            }
        };
    }

    private Config clientConfig() {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url).withOauthToken(TOKEN).withTrustCerts(true)
                .withNamespace("kube-system").withRequestRetryBackoffLimit(0).build();
    }

    private Path writeKubeconfig(Path dir) throws IOException {
        String c = options.cluster();
        String yaml = String.join("\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: " + c,
                "  cluster:",
                "    server: " + url,
                "    insecure-skip-tls-verify: true",
                "users:",
                "- name: fleetdoctor",
                "  user:",
                "    token: " + TOKEN,
                "contexts:",
                "- name: " + c,
                "  context:",
                "    cluster: " + c,
                "    user: fleetdoctor",
                "    namespace: kube-system",
                "current-context: " + c,
                "");
        Path p = dir.resolve("kubeconfig");
        NodeTree.writeAtomically(p, yaml);
        return p;
    }

    /** The environment of the node agent (collector-service's NodeAgentMain) for this node. */
    private void writeAgentEnv(NodeTree t) throws IOException {
        String env = String.join("\n",
                "FLEETDOCTOR_COLLECTOR_MODE=node",
                "FLEETDOCTOR_COLLECTOR_CLUSTER_ID=" + options.cluster(),
                "NODE_NAME=" + t.node(),
                "HOST_IP=" + t.eth0Address(),
                "FLEETDOCTOR_COLLECTOR_PROCFS=" + t.procfs(),
                "FLEETDOCTOR_COLLECTOR_SYSFS=" + t.sysfs(),
                "");
        NodeTree.writeAtomically(t.procfs().getParent().resolve("agent.env"), env);
    }

    private void writeReady(Path dir, Path kubeconfig) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("url=").append(url).append('\n');
        sb.append("kubeconfig=").append(kubeconfig).append('\n');
        sb.append("context=").append(options.cluster()).append('\n');
        sb.append("cluster=").append(options.cluster()).append('\n');
        sb.append("token=").append(TOKEN).append('\n');
        sb.append("nodes=").append(String.join(",", options.nodeNames())).append('\n');
        sb.append("pid=").append(ProcessHandle.current().pid()).append('\n');
        NodeTree.writeAtomically(dir.resolve("ready"), sb.toString());
    }

    public String url() {
        return url;
    }

    public Path kubeconfig() {
        return options.dir().resolve("kubeconfig");
    }

    public List<NodeTree> nodes() {
        return List.copyOf(trees);
    }

    public boolean incident() {
        return scenario != null && scenario.incident();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop != null) {
            loop.shutdownNow();
            try {
                loop.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(options.dir().resolve("ready"));
        } catch (IOException ignored) {
            // best effort
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
        if (lockChannel != null) {
            try {
                lockChannel.close(); // releases the lock
            } catch (IOException ignored) {
                // best effort
            }
        }
        out.accept("stopped");
    }
}
