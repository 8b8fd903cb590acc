"""CDK app of the Poche platform: a `Core` stack and one stack per rollout phase."""
