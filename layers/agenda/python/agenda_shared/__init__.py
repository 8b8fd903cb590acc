"""Code shared by the agenda domain's functions: the event model and the write side of the agenda table (event
connectors `agenda-openagenda`, `agenda-datatourisme`), the public event view and the occurrence reader (also the
service `agenda`), and the `events` tile projections. Shipped as the `agenda` layer (`layers/agenda/python`)."""
