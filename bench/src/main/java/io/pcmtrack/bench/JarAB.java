package io.pcmtrack.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two or more builds of pcmtrack side by side in one process, for a before/after comparison on a
 * loaded machine: each {@code benchmarks.jar} is loaded in its own class loader, and short bursts
 * of the same benchmark operation alternate between them (the order rotating), so that whatever
 * else the machine does falls on all of them alike. Each burst is timed in this thread's CPU time
 * as well as in wall time: CPU time leaves out the time the thread waited for a core, which on
 * a machine shared with other builds is most of the wall time.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.JarAB track steady 48000 30 20000 old.jar new.jar
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.JarAB scheduler - 10000 60 3 old.jar new.jar
 * java -cp bench/target/benchmarks.jar io.pcmtrack.bench.JarAB resampler 48000:16000 1 30 200 old.jar new.jar
 * </pre>
 *
 * Arguments: {@code track} (TrackBenchmark.writeAndRecv, with its {@code buffer} and {@code inRate}),
 * {@code scheduler} (SchedulerBenchmark.period, with its {@code tracks}; the buffer argument is
 * ignored) or {@code resampler} (one {@code Resampler.process} call of 10 ms of noise, rates as
 * {@code in:out} in place of the buffer, then the channels), seconds of measurement after 10 s of
 * alternating warm-up, operations per burst, jars. Each jar's resampler has its own arrays, and C2
 * compiles each jar's classes on their own, so a difference that follows where the arrays happen to
 * sit or what C2 made of one class shows up as a difference between the jars: run it more than once,
 * and compare a jar with itself to see the spread.
 * Prints the 10th, 50th and 90th percentile of the bursts' time per operation for each jar.
 */
public final class JarAB {
    private static final String BLACKHOLE_PASSWORD =
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.";

    private JarAB() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 6 || !(args[0].equals("track") || args[0].equals("scheduler") || args[0].equals("resampler"))) {
            System.err.println("usage: JarAB track|scheduler|resampler BUFFER|IN:OUT RATE|TRACKS|CHANNELS SECONDS OPS_PER_BURST JAR [JAR...]");
            System.exit(2);
        }
        String mode = args[0];
        String buffer = args[1];
        int number = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        long opsPerBurst = Long.parseLong(args[4]);
        int k = args.length - 5;
        MethodHandle[] ops = new MethodHandle[k];
        String[] names = new String[k];
        for (int i = 0; i < k; i++) {
            Path jar = Path.of(args[5 + i]);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("jar " + jar + " is not a file");
            }
            names[i] = jar.toString();
            ops[i] = load(jar, mode, buffer, number);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long warmEnd = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            for (MethodHandle op : ops) {
                sink += burst(op, opsPerBurst);
            }
        }
        int max = 1_000_000;
        double[][] cpu = new double[k][max];
        double[][] wall = new double[k][max];
        int bursts = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && bursts < max) {
            for (int j = 0; j < k; j++) {
                int i = (bursts + j) % k;
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                sink += burst(ops[i], opsPerBurst);
                wall[i][bursts] = (System.nanoTime() - w0) / (double) opsPerBurst;
                cpu[i][bursts] = (mx.getCurrentThreadCpuTime() - c0) / (double) opsPerBurst;
            }
            bursts++;
        }
        System.out.printf("%s %s %d: %d bursts of %d operations per jar (checksum %d)%n",
                args[0], buffer, number, bursts, opsPerBurst, sink & 0xff);
        for (int i = 0; i < k; i++) {
            double[] c = Arrays.copyOf(cpu[i], bursts);
            double[] w = Arrays.copyOf(wall[i], bursts);
            Arrays.sort(c);
            Arrays.sort(w);
            System.out.printf("  %s%n    cpu  ns/op p10 %.1f p50 %.1f p90 %.1f%n    wall ns/op p10 %.1f p50 %.1f p90 %.1f%n",
                    names[i], c[bursts / 10], c[bursts / 2], c[bursts * 9 / 10],
                    w[bursts / 10], w[bursts / 2], w[bursts * 9 / 10]);
        }
    }

    private static long burst(MethodHandle op, long n) throws Throwable {
        long sink = 0;
        for (long i = 0; i < n; i++) {
            sink += (int) op.invokeExact();
        }
        return sink;
    }

    /** The benchmark's operation, from the jar's own classes, bound to a set-up instance; returns an int. */
    private static MethodHandle load(Path jar, String mode, String buffer, int number) throws Throwable {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        if (mode.equals("resampler")) {
            String[] rates = buffer.split(":");
            if (rates.length != 2) {
                throw new IllegalArgumentException("rates must be IN:OUT, got " + buffer);
            }
            int in = Integer.parseInt(rates[0]);
            int out = Integer.parseInt(rates[1]);
            Class<?> c = loader.loadClass("io.pcmtrack.dsp.Resampler");
            Object resampler = c.getConstructor(int.class, int.class, int.class).newInstance(in, out, number);
            int chunk = in / 100;
            float[] signal = new float[chunk * number];
            java.util.Random random = new java.util.Random(1);
            for (int i = 0; i < signal.length; i++) {
                signal[i] = (float) (0.1 * random.nextGaussian());
            }
            int room = (int) c.getMethod("maxOutputFrames", int.class).invoke(resampler, chunk);
            MethodHandle process = lookup.findVirtual(c, "process",
                    MethodType.methodType(int.class, float[].class, int.class, int.class, float[].class, int.class));
            return MethodHandles.insertArguments(process.bindTo(resampler), 0, signal, 0, chunk, new float[room * number], 0);
        }
        if (mode.equals("track")) {
            Class<?> c = loader.loadClass("io.pcmtrack.bench.TrackBenchmark");
            Object b = c.getConstructor().newInstance();
            c.getField("buffer").set(b, buffer);
            c.getField("inRate").setInt(b, number);
            c.getMethod("setUp").invoke(b);
            Class<?> frame = loader.loadClass("io.pcmtrack.AudioFrame");
            MethodHandle recv = lookup.findVirtual(c, "writeAndRecv", MethodType.methodType(frame)).bindTo(b);
            MethodHandle pts = lookup.findVirtual(frame, "pts", MethodType.methodType(long.class));
            MethodHandle toInt = MethodHandles.explicitCastArguments(pts, MethodType.methodType(int.class, frame));
            return MethodHandles.filterReturnValue(recv, toInt);
        }
        Class<?> c = loader.loadClass("io.pcmtrack.bench.SchedulerBenchmark");
        Object b = c.getConstructor().newInstance();
        c.getField("tracks").setInt(b, number);
        Class<?> blackhole = loader.loadClass("org.openjdk.jmh.infra.Blackhole");
        Object bh = blackhole.getConstructor(String.class).newInstance(BLACKHOLE_PASSWORD);
        c.getMethod("setUp", blackhole).invoke(b, bh);
        return lookup.findVirtual(c, "period", MethodType.methodType(int.class)).bindTo(b);
    }
}
