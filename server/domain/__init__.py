"""Pure case-creator rules: geometry, clustering, lifecycle, taxonomy, grids and dispatch.

Nothing here touches the database or the network; the service layer composes these.
"""
