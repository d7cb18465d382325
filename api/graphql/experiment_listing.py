"""GraphQL types of the experiment listing: what experiments the store holds, and its filter."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph_lineage import experiments as analysis


@strawberry.type(description="A variant of a listed experiment.")
class ExperimentVariantListing:
    name: str
    uid: strawberry.ID
    traffic_share: float | None = strawberry.field(description="As last declared.")
    requests: int = strawberry.field(description="Requests served through it.")


@strawberry.type(description="An experiment the store holds, with its variants.")
class ExperimentListing:
    uid: strawberry.ID
    name: str
    status: str | None = strawberry.field(description="started, changed or stopped")
    owner: str | None
    randomization_unit: str | None
    started_at: datetime | None
    stopped_at: datetime | None
    last_exposure: datetime | None
    requests: int
    variants: list[ExperimentVariantListing]


@strawberry.input(description="All given conditions must hold.")
class ExperimentFilterInput:
    status: str | None = strawberry.field(default=None, description="started, changed or stopped")
    name: str | None = strawberry.field(default=None, description="A part of the name, any case.")
    active_since: datetime | None = strawberry.field(
        default=None, description="Still running at or after this time."
    )

    def to_filter(self, first: int) -> analysis.ExperimentFilter:
        return analysis.ExperimentFilter(self.status, self.name, self.active_since, first)


def experiment_listing_to_graphql(listing: analysis.ExperimentListing) -> ExperimentListing:
    return ExperimentListing(
        uid=strawberry.ID(listing.uid),
        name=listing.name,
        status=listing.status,
        owner=listing.owner,
        randomization_unit=listing.randomization_unit,
        started_at=listing.started_at,
        stopped_at=listing.stopped_at,
        last_exposure=listing.last_exposure,
        requests=listing.requests,
        variants=[_variant_listing(v) for v in listing.variants],
    )


def _variant_listing(variant: analysis.VariantListing) -> ExperimentVariantListing:
    return ExperimentVariantListing(
        name=variant.name,
        uid=strawberry.ID(variant.uid),
        traffic_share=variant.traffic_share,
        requests=variant.requests,
    )
