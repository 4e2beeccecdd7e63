package dev.agenttasks.providers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a cap. A success body past {@code successCap} fails with
 * {@link TooLargeException} (a cut completion is no completion); an error body keeps its first
 * {@code errorCap} bytes (enough to classify and explain it). Either way the rest is never read: the
 * subscription is cancelled, which drops the connection. A declared {@code Content-Length} over the cap
 * fails or cuts before the first byte.
 */
final class CappedBody implements HttpResponse.BodyHandler<byte[]> {

    /** A success body larger than the cap. */
    static final class TooLargeException extends IOException {
        private final int status;

        TooLargeException(int status, long cap) {
            super("the body is larger than " + cap + " bytes");
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final int successCap;
    private final int errorCap;
    private volatile Subscriber current;

    CappedBody(int successCap, int errorCap) {
        this.successCap = successCap;
        this.errorCap = errorCap;
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        boolean success = info.statusCode() >= 200 && info.statusCode() <= 299;
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
        Subscriber subscriber = new Subscriber(info.statusCode(), success ? successCap : errorCap, success, declared);
        current = subscriber;
        return subscriber;
    }

    /** Stops reading the body, if one is being read: for a call given up on (timeout, interrupt). */
    void abandon() {
        Subscriber subscriber = current;
        if (subscriber != null) {
            subscriber.abandon();
        }
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {

        private final int status;
        private final int cap;
        private final boolean failWhenOver;
        private final long declared;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile Flow.Subscription subscription;

        Subscriber(int status, int cap, boolean failWhenOver, long declared) {
            this.status = status;
            this.cap = cap;
            this.failWhenOver = failWhenOver;
            this.declared = declared;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (body.isDone()) {
                subscription.cancel();
            } else if (declared > cap && failWhenOver) {
                stop(null);
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            synchronized (bytes) {
                for (ByteBuffer buffer : buffers) {
                    int room = cap - bytes.size();
                    int take = Math.min(room, buffer.remaining());
                    byte[] chunk = new byte[take];
                    buffer.get(chunk);
                    bytes.write(chunk, 0, take);
                    if (buffer.hasRemaining()) {
                        stop(bytes.toByteArray());
                        return;
                    }
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            synchronized (bytes) {
                body.complete(bytes.toByteArray());
            }
        }

        /** Over the cap: cancel the rest, then fail (success) or keep what was read (error). */
        private void stop(byte[] prefix) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            if (failWhenOver) {
                body.completeExceptionally(new TooLargeException(status, cap));
            } else {
                body.complete(prefix == null ? new byte[0] : prefix);
            }
        }

        void abandon() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            body.cancel(false);
        }
    }
}
