package io.hopgate.control.channel;

/**
 * Receives a channel's messages, each exactly once and in the order they were sent. Calls for one channel never
 * overlap; they run on a {@code hopgate-channel} event-loop thread and must not block. An exception thrown here
 * is logged and the message still counts as delivered.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(byte[] message);
}
