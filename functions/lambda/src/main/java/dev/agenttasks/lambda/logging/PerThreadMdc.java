package dev.agenttasks.lambda.logging;

import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.helpers.ThreadLocalMapOfStacks;
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC: each thread's own fields, in the order they were put. Unlike slf4j's {@code BasicMDCAdapter} a new thread
 * does not inherit its creator's fields: a pool thread started during an invocation would otherwise carry that
 * invocation's request id on every later line (the worker hands fields on explicitly, with
 * {@code InvocationLog.inCurrentContext}).
 */
final class PerThreadMdc implements MDCAdapter {

    private final ThreadLocal<Map<String, String>> fields = new ThreadLocal<>();
    private final ThreadLocalMapOfStacks stacks = new ThreadLocalMapOfStacks();

    /** The current thread's fields as they are (not a copy): read them on this thread only. */
    Map<String, String> current() {
        Map<String, String> map = fields.get();
        return map == null ? Map.of() : map;
    }

    @Override
    public void put(String key, String value) {
        if (key == null) {
            throw new IllegalArgumentException("key cannot be null");
        }
        Map<String, String> map = fields.get();
        if (map == null) {
            map = new LinkedHashMap<>();
            fields.set(map);
        }
        map.put(key, value);
    }

    @Override
    public String get(String key) {
        Map<String, String> map = fields.get();
        return map == null ? null : map.get(key);
    }

    @Override
    public void remove(String key) {
        Map<String, String> map = fields.get();
        if (map != null) {
            map.remove(key);
        }
    }

    @Override
    public void clear() {
        fields.remove();
    }

    @Override
    public Map<String, String> getCopyOfContextMap() {
        Map<String, String> map = fields.get();
        return map == null ? null : new LinkedHashMap<>(map);
    }

    @Override
    public void setContextMap(Map<String, String> contextMap) {
        if (contextMap == null || contextMap.isEmpty()) {
            fields.remove();
        } else {
            fields.set(new LinkedHashMap<>(contextMap));
        }
    }

    @Override
    public void pushByKey(String key, String value) {
        stacks.pushByKey(key, value);
    }

    @Override
    public String popByKey(String key) {
        return stacks.popByKey(key);
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        return stacks.getCopyOfDequeByKey(key);
    }

    @Override
    public void clearDequeByKey(String key) {
        stacks.clearDequeByKey(key);
    }
}
