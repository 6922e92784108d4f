package io.audiences.server.platform;

/**
 * The server's log handler (see {@code logging.properties}): every record to standard output, through
 * {@link SafeLogFormatter} (or {@link JsonLogFormatter} with {@code AUDIENCES_LOG_FORMAT=json}, see {@link LogFormat})
 * so request text cannot forge log lines, written by {@link QueuedLogHandler}'s writer thread so that no request waits
 * on another's log line.
 */
public final class ConsoleLogHandler extends QueuedLogHandler {

    public ConsoleLogHandler() {
        super(System.out, LogFormat.fromEnvironment().formatter(), false);
    }
}
