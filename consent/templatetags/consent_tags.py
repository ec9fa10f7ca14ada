from django import template

register = template.Library()


@register.simple_tag
def cell(cells, group_id, purpose_id):
    """The dashboard cell of one group and purpose."""
    return cells[(group_id, purpose_id)]


@register.filter
def at(items, index):
    """The item at ``index`` of a list: the purpose of a table column, whose title labels
    the column's cells when the table turns into a list on a phone."""
    return items[index]
