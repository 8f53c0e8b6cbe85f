package io.fleetdoctor.collector.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test helper run as a child process (started through a symlink named {@code flanneld}, so its
 * {@code comm} is flanneld): writes to a file at a paced rate, forcing every MiB to disk so
 * {@code write_bytes} really moves. Args: file, MiB per second, seconds.
 */
public final class IoLoad {
    private IoLoad() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path file = Path.of(args[0]);
        double mibPerSec = Double.parseDouble(args[1]);
        long end = System.nanoTime() + (long) (Double.parseDouble(args[2]) * 1e9);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < chunk.capacity(); i++) {
            chunk.put((byte) (i * 31));
        }
        long nanosPerChunk = (long) (1e9 / mibPerSec);
        long next = System.nanoTime();
        long written = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (System.nanoTime() < end) {
                if (written >= (128L << 20)) { // keep the file small: start over
                    ch.truncate(0);
                    ch.position(0);
                    written = 0;
                }
                chunk.clear();
                while (chunk.hasRemaining()) {
                    written += ch.write(chunk);
                }
                ch.force(false);
                next += nanosPerChunk;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
    }
}
