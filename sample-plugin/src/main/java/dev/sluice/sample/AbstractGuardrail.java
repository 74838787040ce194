package dev.sluice.sample;

import dev.sluice.hook.Hook;
import dev.sluice.hook.RequestContext;

/**
 * A base class a plugin vendor might ship: it implements the REQUEST point once, and subclasses
 * only say what is wrong. Sluice sees the inherited override and calls {@link #onRequest} for
 * every subclass, while the other points stay off.
 */
public abstract class AbstractGuardrail implements Hook {

  /** Why the request must not go upstream, or null to let it through. Must not block. */
  protected abstract String violation(RequestContext request);

  @Override
  public final void onRequest(RequestContext request) {
    String why = violation(request);
    if (why != null) {
      request.attributes().put(name() + ".blocked", why);
      request.reject(400, "invalid_request_error", why);
    }
  }
}
