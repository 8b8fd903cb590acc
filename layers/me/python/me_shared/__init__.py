"""Code shared by the `me` function (the personal API) and `me_erasure` (the erasure queue's worker), layer
`layers/me`: the keys of the `personal` table (`keys`), the ports the rules use (`ports`) and their adapters
(`personal`: the erasure's DynamoDB reads and writes and the tombstone; `devices`: device ownership over DynamoDB
and SNS; `identity`: Cognito), and the erasure itself (`erasure`, pure over the ports)."""
