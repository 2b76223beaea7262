package io.warmer.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds a TCP port on the loopback interface that nothing listens on right now. */
public final class FreePort {

    private FreePort() {
    }

    /**
     * Returns a port that was free a moment ago. Another process may take it before the caller binds it;
     * the window is small and callers start their server immediately after.
     */
    public static int find() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Without SO_REUSEADDR off, the kernel could hand the same ephemeral port out twice in a row.
            socket.setReuseAddress(false);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not find a free TCP port on 127.0.0.1: binding an ephemeral port failed. "
                            + "Check that the loopback interface is up and the process may open sockets.",
                    e);
        }
    }
}
