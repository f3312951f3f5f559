package io.pcmtrack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pcmtrack}: with no arguments, runs the demo. */
@Command(name = "pcmtrack", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Streams PCM audio into real-time calls: paced 20 ms frames, zero garbage, real libwebrtc.",
        subcommands = {DemoCommand.class, StreamCommand.class, ServeCommand.class, SoakCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad input (unreadable or malformed files, bad options). */
    public static final int EXIT_BAD_INPUT = 2;

    /** Where {@code stream -} reads raw PCM from. */
    final InputStream stdin;

    Main(InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        // One process, one or two calls: dispose libwebrtc's factories as soon as the call ends,
        // so that no native thread is left when the JVM exits.
        io.pcmtrack.webrtc.WebRtcFactories.linger(java.time.Duration.ZERO);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, System.in, out, err);
        out.flush();
        err.flush();
        // Once libwebrtc was loaded, webrtc-java 0.14.0's static destructors run in exit()'s handlers, on the
        // JVM's VM thread, and try to attach it to the JVM that is going away: they print "VM attach current
        // thread failed" and "Failed to attach thread N" to standard output (std::cout) after everything this
        // command said. Closing System.out points descriptor 1 at /dev/null (the JDK never closes 0, 1 or 2).
        System.out.close();
        System.exit(code);
    }

    /** Runs the command line and returns its exit code; the demo when {@code args} is empty. */
    public static int run(String[] args, InputStream stdin, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main(stdin));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof UserException u) {
                line.getErr().println("pcmtrack: " + u.getMessage());
                return u.exitCode();
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("pcmtrack: " + e.getMessage());
            e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_BAD_INPUT;
        });
        return cli.execute(args.length == 0 ? new String[] {"demo"} : args);
    }

    @Override
    public void run() {
        // Not reached: run() maps no arguments to the demo.
        throw new UserException("choose a command: demo, stream, serve or soak (see --help)");
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"pcmtrack " + p.getProperty("version", "(unknown version)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
