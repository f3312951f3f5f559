package io.pcmtrack.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace with nothing but loopback, so that the browser and the server under test
 * can only reach each other over 127.0.0.1 (libwebrtc and Chromium otherwise gather, and use,
 * every interface). The default route through {@code lo} with source 127.0.0.1 is what makes
 * libwebrtc gather a candidate at all. Needs root and {@code ip} (iproute2).
 */
final class NetworkNamespace implements AutoCloseable {
    final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    static NetworkNamespace create() throws IOException, InterruptedException {
        // Unique per run: other test runs on this machine make their own.
        String name = "pcmtrack-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        run("ip", "netns", "add", name);
        NetworkNamespace ns = new NetworkNamespace(name);
        try {
            run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
            run("ip", "netns", "exec", name, "ip", "route", "add", "default", "dev", "lo", "src", "127.0.0.1");
            return ns;
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** {@code command} prefixed so that it runs inside this namespace. */
    List<String> inside(List<String> command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(command);
        return c;
    }

    @Override
    public void close() {
        try {
            run("ip", "netns", "delete", name);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
