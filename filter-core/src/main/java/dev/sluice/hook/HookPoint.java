package dev.sluice.hook;

import java.util.Set;

/** The points at which Sluice calls a {@link Hook}, each backed by one of its methods. */
public enum HookPoint {
  REQUEST("onRequest", RequestContext.class),
  REQUEST_ASYNC("onRequestAsync", RequestContext.class),
  RESPONSE_START("onResponseStart", ResponseContext.class),
  EVENT("onEvent", EventContext.class),
  FOLLOW_UP("onTurn", TurnContext.class),
  COMPLETE("onComplete", ExchangeRecord.class);

  private final String method;
  private final Class<?> parameter;

  HookPoint(String method, Class<?> parameter) {
    this.method = method;
    this.parameter = parameter;
  }

  /**
   * True when {@code hook}'s class overrides this point's method, directly or through any
   * superclass or sub-interface (the Netty {@code ChannelHandlerMask} rule).
   */
  public boolean isOverriddenBy(Hook hook) {
    try {
      return hook.getClass().getMethod(method, parameter).getDeclaringClass() != Hook.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  /** The points {@code hook} overrides. */
  public static Set<HookPoint> of(Hook hook) {
    Set<HookPoint> points = java.util.EnumSet.noneOf(HookPoint.class);
    for (HookPoint p : values()) {
      if (p.isOverriddenBy(hook)) {
        points.add(p);
      }
    }
    return points;
  }
}
