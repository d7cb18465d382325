"""graph-lineage: signal lineage for recommender systems, stored in Neo4j."""

from graph_lineage.errors import LineageError
from graph_lineage.settings import Settings

__version__ = "0.1.0"

__all__ = ["LineageError", "Settings", "__version__"]
