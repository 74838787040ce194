package dev.sluice;

import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls into plugin code so that one plugin's failure never breaks a stream or another plugin. */
final class Guard {
  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.hook");

  private Guard() {}

  /** Runs {@code call}; returns false (after logging who failed where) when it threw. */
  static boolean run(Hook hook, HookPoint point, Runnable call) {
    try {
      call.run();
      return true;
    } catch (Throwable t) {
      propagateIfFatal(t);
      logFailure(hook, point, t);
      return false;
    }
  }

  static void logFailure(Hook hook, HookPoint point, Throwable t) {
    LOG.warn("Hook '{}' failed in {}; continuing without its change", hook.name(), point, t);
  }

  static void logTimeout(Hook hook) {
    LOG.warn("Hook '{}' did not finish {} within request-hook-timeout", hook.name(),
        HookPoint.REQUEST_ASYNC);
  }

  /** A hook's change refused for safety; {@code why} must not carry a header value. */
  static void logRefused(Hook hook, HookPoint point, String why) {
    LOG.warn("Hook '{}' {} in {}; failing the request closed", hook.name(), why, point);
  }

  static void propagateIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError) {
      throw (VirtualMachineError) t;
    }
    if (t instanceof LinkageError && !(t instanceof NoClassDefFoundError)) {
      throw (LinkageError) t;
    }
  }
}
