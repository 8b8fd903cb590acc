"""Code shared by the traffic domain's functions (the service `traffic` and the connector `traffic-datex2`): the
public view of an event, the read side of the traffic table and the `traffic` tile projections. Shipped as the
`traffic` layer (`layers/traffic/python`)."""
