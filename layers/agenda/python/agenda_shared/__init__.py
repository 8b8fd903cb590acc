"""Code shared by the agenda domain's event connectors (`agenda-openagenda`, `agenda-datatourisme`): the event
model and the write side of the agenda table. Shipped as the `agenda` layer (`layers/agenda/python`)."""
