from django import template

register = template.Library()


@register.simple_tag
def cell(cells, group_id, purpose_id):
    """The dashboard cell of one group and purpose."""
    return cells[(group_id, purpose_id)]
