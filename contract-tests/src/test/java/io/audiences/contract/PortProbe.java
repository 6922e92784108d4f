package io.audiences.contract;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;

/** Whether a server has stopped accepting connections, as a shutdown drain must. */
final class PortProbe {

    private PortProbe() {
    }

    /** Tries to connect for up to two seconds; true once a connection is refused. */
    static boolean refuses(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                Thread.sleep(20);
            } catch (ConnectException e) {
                return true;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        return false;
    }
}
