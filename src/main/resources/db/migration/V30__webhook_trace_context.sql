-- The W3C trace context of the span that produced a webhook event (a build's, a request's), stored with the event
-- in the outbox so that each delivery attempt, made later by any instance, is a child span in the same trace and
-- sends it on as traceparent/tracestate. NULL when tracing was off or no span was current.
ALTER TABLE webhook_event ADD COLUMN traceparent VARCHAR(55);
ALTER TABLE webhook_event ADD COLUMN tracestate VARCHAR(1024);
