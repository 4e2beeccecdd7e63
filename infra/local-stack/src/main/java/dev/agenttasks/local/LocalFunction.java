package dev.agenttasks.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;

/** A function of the template, run in-process: its handler, Timeout and MemorySize. */
record LocalFunction<I, O>(String name, RequestHandler<I, O> handler, int timeoutSeconds, int memoryMb) {

    O invoke(I input) {
        return handler.handleRequest(input, context());
    }

    LocalLambdaContext context() {
        return new LocalLambdaContext(name, timeoutSeconds, memoryMb);
    }
}
