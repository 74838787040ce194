package dev.sluice.cost;

/**
 * Implemented by a hook that prices usage (such as {@code cost-in-usage}) to receive the filter's
 * one {@link Pricing}: the shipped table overlaid by the {@code pricing-file} setting, the same
 * instance the filter prices its records with. The filter calls it once at start, before {@code
 * configure}, on the thread that runs its {@code init}; so the table is read once, and the cost a
 * client sees in a stream is the cost in the record. A hook used outside a filter keeps the table
 * it was built with.
 */
public interface PricingAware {
  /** Called once at start with the filter's table. */
  void pricing(Pricing pricing);
}
