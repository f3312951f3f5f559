package io.pcmtrack.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium, driven by Playwright over a pipe, running inside a
 * {@link NetworkNamespace}: Playwright starts a small wrapper script that execs chromium under
 * {@code ip netns exec}, so the browser's only network is the namespace's loopback.
 */
final class Chromium implements AutoCloseable {
    static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

    private final Playwright playwright;
    final Browser browser;

    /**
     * @param extraArgs more Chromium flags, e.g. the fake microphone's
     */
    Chromium(NetworkNamespace ns, Path workDir, List<String> extraArgs) throws IOException {
        Path wrapper = workDir.resolve("chromium-in-" + ns.name);
        Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + ns.name + " " + EXECUTABLE + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        List<String> args = new ArrayList<>(List.of(
                "--no-sandbox",                                    // we are root
                "--allow-loopback-in-peer-connection",             // 127.0.0.1 candidates
                "--disable-features=WebRtcHideLocalIpsWithMdns",   // real addresses, not .local names
                "--autoplay-policy=no-user-gesture-required",
                // The namespace has no network: nothing may try to reach out.
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"));
        args.addAll(extraArgs);
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(wrapper).setHeadless(true).setArgs(args));
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /**
     * Skips the test when the browser or the namespace tools are missing, unless {@code CI} is
     * set: in CI a missing package is a failure.
     */
    static void assumeAvailable() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(EXECUTABLE)) {
            missing.add("Debian's chromium (apt-get install chromium)");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/usr/bin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            missing.add("ip from iproute2 (apt-get install iproute2)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root, to create a network namespace");
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "the browser tests need " + String.join(", ", missing);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " (CI is set: these tests must run)");
        }
        Assumptions.abort(message);
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
