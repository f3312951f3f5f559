package io.pcmtrack.telephony;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.java_websocket.client.WebSocketClient;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A {@link ProviderSimulator} on a real WebSocket client: it connects to the server, sends
 * {@code connected} and {@code start}, then a thread plays one frame from its buffer and sends one
 * frame of the caller's audio every 20 ms (paced on its own anchor, so it keeps real-time rate).
 */
final class SimulatedProviderClient implements AutoCloseable {
    final ProviderSimulator provider;
    private final Client client;
    private final CountDownLatch open = new CountDownLatch(1);
    final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile short[] callerFrame = new short[ProviderSimulator.FRAME];
    private volatile boolean sendCaller = true;
    private Thread clock;

    SimulatedProviderClient(URI uri, String streamSid) {
        this.client = new Client(uri);
        this.provider = new ProviderSimulator(client::send, streamSid);
    }

    /** A Telnyx stream whose application sends {@code serverCodec}. */
    SimulatedProviderClient(URI uri, String streamId, PhoneCodec serverCodec) {
        this.client = new Client(uri);
        this.provider = ProviderSimulator.telnyx(client::send, streamId, serverCodec);
    }

    /** Connects, starts the stream and the 20 ms playout; returns once the socket is open. */
    SimulatedProviderClient start(String callSid) throws InterruptedException {
        client.connect();
        if (!open.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("could not connect to " + client.getURI());
        }
        provider.connect(callSid, "agent", "test");
        clock = new Thread(this::run, "provider-simulator");
        clock.setDaemon(true);
        clock.start();
        return this;
    }

    /** The caller's next frames (160 samples), repeated until changed. */
    void callerSays(short[] frame) {
        callerFrame = frame;
    }

    void callerSilent() {
        sendCaller = false;
    }

    void sendRaw(String text) {
        client.send(text);
    }

    void closeSocket() {
        client.close(1000, "caller hung up");
    }

    private void run() {
        long anchor = System.nanoTime();
        for (long n = 1; running; n++) {
            long due = anchor + n * 20_000_000L;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (!client.isOpen()) {
                return;
            }
            try {
                provider.play();
                if (sendCaller) {
                    provider.sendCallerFrame(callerFrame);
                }
            } catch (WebsocketNotConnectedException e) {
                return; // closed between the check and the send
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            if (clock != null) {
                clock.join(2_000);
            }
            client.closeBlocking();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Client extends WebSocketClient {
        Client(URI uri) {
            super(uri);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            open.countDown();
        }

        @Override
        public void onMessage(String message) {
            provider.onServerText(message);
        }

        @Override
        public void onMessage(ByteBuffer bytes) {
            throw new AssertionError("this provider's server sends no binary messages");
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            closed.countDown();
        }

        @Override
        public void onError(Exception ex) {
        }
    }
}
